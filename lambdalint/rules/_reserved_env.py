"""The environment variables Lambda reserves, and what to do instead of setting one: LL214
reports them, LL204 gives the same advice when such a variable also holds a secret."""

from __future__ import annotations

# (name, what Lambda sets it to). Not here: the names the same page lists as settable (TZ, LANG,
# PATH, LD_LIBRARY_PATH, NODE_OPTIONS, PYTHONPATH, AWS_XRAY_*, ...), and AWS_SECRET_KEY /
# AWS_SECURITY_TOKEN, reserved in AWS's 2018 table but gone from the page.
RESERVED = (
    ("_HANDLER", "the handler location configured on the function"),
    ("_X_AMZN_TRACE_ID", "the X-Ray tracing header of each invocation"),
    ("AWS_DEFAULT_REGION", "the Region the function runs in"),
    ("AWS_REGION", "the Region the function runs in"),
    ("AWS_EXECUTION_ENV", "the runtime identifier (AWS_Lambda_python3.12, ...)"),
    ("AWS_LAMBDA_FUNCTION_NAME", "the function's name"),
    ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "the function's memory in MB"),
    ("AWS_LAMBDA_FUNCTION_VERSION", "the version being executed"),
    ("AWS_LAMBDA_INITIALIZATION_TYPE", "how the environment was initialized (on-demand, ...)"),
    ("AWS_LAMBDA_LOG_GROUP_NAME", "the function's CloudWatch Logs group"),
    ("AWS_LAMBDA_LOG_STREAM_NAME", "the function's CloudWatch Logs stream"),
    ("AWS_ACCESS_KEY", "the access key of the execution role"),
    ("AWS_ACCESS_KEY_ID", "the access key of the execution role"),
    ("AWS_SECRET_ACCESS_KEY", "the access key of the execution role"),
    ("AWS_SESSION_TOKEN", "the session token of the execution role"),
    ("AWS_LAMBDA_RUNTIME_API", "the host and port of the runtime API"),
    ("LAMBDA_TASK_ROOT", "the path to the function's code"),
    ("LAMBDA_RUNTIME_DIR", "the path to the runtime libraries"),
    ("AWS_LAMBDA_MAX_CONCURRENCY", "the concurrency of a Lambda Managed Instances environment"),
    ("AWS_LAMBDA_METADATA_API", "the address of the metadata endpoint"),
    ("AWS_LAMBDA_METADATA_TOKEN", "the token of the metadata endpoint"),
)

SETS = dict(RESERVED)
REGION = ("AWS_REGION", "AWS_DEFAULT_REGION")
CREDENTIALS = ("AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

REFUSED = ('"Lambda was unable to configure your environment variables because the environment '
           'variables you have provided contains reserved keys"')

def suggestion(name: str) -> str:
    """Remove it, and what to rely on instead. Never shows the value."""
    if name in REGION:
        return (f"Remove {name}: the Lambda runtime already sets it to the Region the function "
                f'runs in; code reads os.environ["{name}"] as it is. To reach another Region, '
                "use a variable of your own name (TARGET_REGION) and pass it to the client.")
    if name in CREDENTIALS:
        return (f"Remove {name}: the function's execution role provides credentials, and the "
                "runtime sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN "
                "from it. Grant the role what the code needs instead; for another account, "
                "let the code assume a role there (sts:AssumeRole). If the value was a real "
                "key, deactivate and rotate it: it is in the repository history.")
    return (f"Remove {name}: Lambda sets it itself ({SETS[name]}); code reads "
            f'os.environ["{name}"] as it is. Use a name of your own for a value of your own.')
