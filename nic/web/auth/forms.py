from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device")


class RequestResetForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired()])
    confirm = PasswordField("Repeat the password", validators=[EqualTo("password", "Passwords differ.")])


class AcceptInvitationForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Choose a password", validators=[DataRequired()])
    confirm = PasswordField("Repeat the password", validators=[EqualTo("password", "Passwords differ.")])


class JoinForm(FlaskForm):
    """For someone who already has an account and is signed in."""
