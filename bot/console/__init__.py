"""The staff console (CONSOLE_PORT): review what patients asked, label it, retrain behind the
regression gate, promote and roll back models, erase a conversation. `python -m bot.console`
serves it; docs/console.md describes its pages and JSON API."""
