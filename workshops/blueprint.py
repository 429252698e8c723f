"""The `workshops` blueprint; management and live views add their routes to it."""

from flask import Blueprint

bp = Blueprint("workshops", __name__)
