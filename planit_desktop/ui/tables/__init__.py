"""Item models over immutable row snapshots, and the proxies that sort and filter them."""
