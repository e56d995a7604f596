"""`python -m pos_client.scanning FILE...`: the same as `kupa scan FILE...`."""

import sys

from pos_client.scanning.cli_scan import main

sys.exit(main())
