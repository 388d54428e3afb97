"""Framework pages (being built)."""
from flask import Blueprint

bp = Blueprint("frameworks", __name__, url_prefix="/n/<slug>/frameworks")
