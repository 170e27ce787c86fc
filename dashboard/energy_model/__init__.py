"""The Energy model page's cached training results and its charts."""
