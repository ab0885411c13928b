"""Turning service outcomes into responses: refused input as 422, queries as pages."""

from flask_smorest import abort

from registry.services.records import InvalidInput


def saved(write):
    """Run a write; field errors from the service become a 422 naming each field."""
    try:
        return write()
    except InvalidInput as invalid:
        abort(422, message="Invalid input.", errors={"json": invalid.errors})


def page(query, pagination_parameters):
    """One page of a query, with the total for the pagination header."""
    pagination_parameters.item_count = query.count()
    # A page past the end is empty; asking the database for it could overflow its OFFSET.
    if pagination_parameters.first_item >= pagination_parameters.item_count:
        return []
    return query.paginate(pagination_parameters.page, pagination_parameters.page_size)
