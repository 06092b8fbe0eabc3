"""Channel adapters: each turns its wire format into runner calls and back."""
