"""Greenprint's Streamlit entry point and reusable UI pieces."""
