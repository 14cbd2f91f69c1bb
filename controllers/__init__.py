from . import repermission
from . import portal_privacy
from . import details
from . import portal_login
