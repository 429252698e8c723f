"""The `consultations` blueprint; the organiser's and the readers' views add their routes to it."""

from flask import Blueprint

bp = Blueprint("consultations", __name__)
