"""Signing in and out of the pages, and changing one's password."""

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired

from registry.auth.principal import (
    clear_session_cookie,
    cookie_name,
    principal_for,
    rotate_csrf,
    set_session_cookie,
)
from registry.pages.forms import Form, render_form
from registry.pages.guard import safe_next, signed_in, viewer
from registry.pages.navigation import start_page
from registry.services import accounts, sessions, throttle

bp = Blueprint("account", __name__)


class SignInForm(Form):
    email = EmailField("Email", validators=[InputRequired("Enter your email address.")],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Sign in")


class PasswordForm(Form):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        "New password", validators=[InputRequired("Choose a new password.")],
        description="At least 12 characters; a phrase of a few words is easy to remember.",
        render_kw={"autocomplete": "new-password"})
    revoke_tokens = BooleanField(
        "Also revoke my API tokens",
        description="Integrations using them stop working until you issue new ones.")
    submit = SubmitField("Change password")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    principal = viewer()
    target = request.args.get("next")
    if principal.authenticated:
        return redirect(safe_next(target, start_page(principal)))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            done = sessions.sign_in(form.email.data, form.password.data,
                                    request.remote_addr or "unknown",
                                    request.headers.get("User-Agent"))
        except sessions.SignInRefused as refused:
            form.form_errors.append(str(refused))
            status = 429 if refused.throttled else 401
        else:
            rotate_csrf()
            landing = safe_next(target, start_page(principal_for(done.user, via="session")))
            response = make_response(redirect(landing))
            set_session_cookie(response, done.token)
            return response
    elif form.is_submitted():
        status = 422
    return render_template("account/sign_in.html", form=form), status


@bp.post("/sign-out")
def sign_out():
    sessions.sign_out(request.cookies.get(cookie_name()))
    flash("You are signed out.")
    response = make_response(redirect(url_for("pages.account.sign_in")))
    clear_session_cookie(response)
    return response


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    principal = signed_in()
    form = PasswordForm()
    try:
        changed = form.save(lambda: accounts.change_password(
            principal.user, form.current_password.data, form.new_password.data,
            principal.actor, address=request.remote_addr or "unknown",
            keep_session=principal.session, revoke_tokens=form.revoke_tokens.data) or True)
    except throttle.Throttled as refused:
        form.current_password.errors = [str(refused)]
        return render_template("account/password.html", form=form), 429
    if changed:
        flash("Your password is changed. Your other sessions are signed out.")
        return redirect(url_for("pages.account.password"))
    return render_form("account/password.html", form)
