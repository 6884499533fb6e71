import os
import sys

# ``python -m lambdalint`` puts the working directory first on sys.path, so a repository's own
# re.py, yaml.py or click.py would be imported (and run) in place of the library's. Drop it,
# unless lambdalint itself is being run from there (a source checkout).
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.getcwd() and \
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))) != os.getcwd():
    del sys.path[0]

try:
    from lambdalint.cli import main  # noqa: E402
except KeyboardInterrupt:  # Ctrl-C before lambdalint started: the exit code, no traceback
    os._exit(130)

main()
