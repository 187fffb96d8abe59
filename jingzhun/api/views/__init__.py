"""The API's views, one module an area."""
