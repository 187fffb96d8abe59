"""The integration API (/api/v1/): Django REST framework views over the same selectors and services as the pages."""
