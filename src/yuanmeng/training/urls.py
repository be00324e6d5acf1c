"""Pages of this app, mounted under its prefix by web/urls.py."""

urlpatterns = []
