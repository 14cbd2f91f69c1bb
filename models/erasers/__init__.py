# One eraser per application (see models/hygiene_eraser.py): each registers its hooks by
# extending hygiene.eraser._hygiene_erasers; a hook runs only where its model is installed.
from . import crm
from . import sale
from . import account
from . import payment
from . import mass_mailing
from . import link_tracker
from . import website
from . import sms
from . import calendar
from . import hygiene
from . import mail
from . import mail_activity
from . import attachment
from . import privacy_lookup
from . import base
from . import details
