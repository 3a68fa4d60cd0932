"""Services and operations rules (BP6xx): logging, encoding, configuration, HTTP calls."""
