"""cleaning layer."""
