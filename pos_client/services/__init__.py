"""Service functions: one business action each, in one unit of work, taking and returning plain values."""
