"""Binding a server's port before it serves (bot/listening.py): a port in use fails at once."""

import errno
import socket

import pytest

from bot.listening import bound_socket
from bot.runtime.services import free_port


def test_a_free_port_is_bound_and_a_taken_one_refused():
    port = free_port()
    with bound_socket("127.0.0.1", port) as bound:
        bound.listen()
        assert bound.getsockname() == ("127.0.0.1", port)
        with pytest.raises(OSError) as refused:
            bound_socket("127.0.0.1", port)
    assert refused.value.errno == errno.EADDRINUSE


def test_an_address_by_name_is_resolved():
    with bound_socket("localhost", 0) as bound:
        assert bound.family in (socket.AF_INET, socket.AF_INET6)
