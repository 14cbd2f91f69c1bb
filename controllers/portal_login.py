"""After a portal customer logs in, the site speaks the customer's language.

The website picks its language from the URL, then from the ``frontend_lang`` cookie, then from the
user. The login page set that cookie to the site's default language, so a French customer who
logged in read /my and /my/privacy (their data, their consents, their rights) in English until
they found the language switcher. Logging in is the moment the person tells who they are: their
account's language, when the site offers it, replaces the cookie. Employees go to the back end,
which follows their preferences already; the switcher still works after the login.
"""

from odoo.http import request

from odoo.addons.portal.controllers.web import Home


class HygieneLoginLanguage(Home):
    def _login_redirect(self, uid, redirect=None):
        user = request.env["res.users"].sudo().browse(uid)
        if user.exists() and user.share and user.lang:
            lang = request.env["ir.http"].get_nearest_lang(user.lang)
            if lang:
                request.future_response.set_cookie("frontend_lang", lang)
        return super()._login_redirect(uid, redirect=redirect)
