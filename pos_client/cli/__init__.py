"""The `kupa` command line: every cashier and manager action, headless."""
