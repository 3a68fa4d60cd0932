"""Testing rules (BP8xx): assertions, test databases, mocks, and the coverage target."""
