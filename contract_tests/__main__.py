"""``python -m contract_tests``: run the whole contract harness."""

from contract_tests.cli import main

raise SystemExit(main())
