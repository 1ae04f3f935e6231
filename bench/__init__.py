"""`make bench`: performance figures the issues ask for. Not tests: timings never go in tests."""
