"""Starting and calling the assistant's servers: `make run`, `make cluster`, the console's release
gate, the tests and the developer tools all use these."""
