from . import repermission
from . import portal_privacy
from . import details
