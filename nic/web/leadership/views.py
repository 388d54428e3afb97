"""Network leadership view (being built)."""
from flask import Blueprint

bp = Blueprint("leadership", __name__, url_prefix="/n/<slug>/leadership")
