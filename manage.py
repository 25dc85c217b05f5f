#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elekto_site.settings")
    from django.core.management import execute_from_command_line

    if sys.argv[1:] == ["version"]:
        # Django answers "version" itself, before looking for a command of that name, with its own version: here
        # it is the site's release (elekto_site/management/commands/version.py), Django's version included.
        import django
        from django.core.management import call_command

        django.setup()
        call_command("version")
        return
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
