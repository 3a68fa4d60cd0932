"""Authentication, tokens and passwords rules (BP4xx)."""
