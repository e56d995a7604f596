"""`python -m pos_client` is `kupa`."""

from pos_client.cli.main import main

raise SystemExit(main())
