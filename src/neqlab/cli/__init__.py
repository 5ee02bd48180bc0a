"""The ``neqlab`` command."""
