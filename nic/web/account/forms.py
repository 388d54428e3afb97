from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired()])
    confirm = PasswordField("Repeat the new password", validators=[EqualTo("new_password", "Passwords differ.")])


class NewTokenForm(FlaskForm):
    name = StringField("What is it for?", validators=[DataRequired(), Length(max=100)],
                       description="For example: district data sync script")


class RevokeTokenForm(FlaskForm):
    """CSRF only."""
