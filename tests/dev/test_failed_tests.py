"""The failed tests named at the end of make test's output (bot.dev.failed_tests.py)."""

from bot.dev.failed_tests import failures

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" tests="3">
<testcase classname="tests.deploy.test_pods" name="test_no_message_is_lost_when[db]">
<failure message="AssertionError: 2 lost&#10;more detail">trace</failure></testcase>
<testcase classname="tests.test_server" name="test_ready"><error message="failed on setup">trace</error></testcase>
<testcase classname="tests.test_server" name="test_fine"/>
</testsuite></testsuites>
"""


def test_every_failure_and_error_is_named_with_the_first_line_of_its_message(tmp_path):
    report = tmp_path / "pytest.xml"
    report.write_text(REPORT)
    assert failures(report) == [
        "failure tests/deploy/test_pods.py::test_no_message_is_lost_when[db]: AssertionError: 2 lost",
        "error tests/test_server.py::test_ready: failed on setup",
    ]
