from planit_desktop.cli import main

raise SystemExit(main())
