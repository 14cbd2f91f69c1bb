from . import repermission
