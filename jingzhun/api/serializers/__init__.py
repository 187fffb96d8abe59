"""Serializers of the API's resources, one module an area; masking comes from the caller's Access."""
