"""What the console's layout asks of the review: whether to show "Review" in the navigation (the console
sits below the review in the layers, so its own context processor cannot ask)."""

from hotline.review import access


def review(request):
    user = request.user
    # A callable: only a page that draws the navigation asks.
    return {"opens_review": lambda: access.may_open_review(user)}
