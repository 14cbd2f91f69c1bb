from . import repermission
from . import portal_privacy
