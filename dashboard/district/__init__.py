"""The District profile page's charts."""
