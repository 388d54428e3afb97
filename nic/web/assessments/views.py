"""Round pages (being built)."""
from flask import Blueprint

bp = Blueprint("assessments", __name__, url_prefix="/n/<slug>/assessments")
