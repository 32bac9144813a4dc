"""The web side of Exemplar (``exemplar serve``): Starlette routes, Jinja2 templates."""
