"""Job payload validation (`validate_job_payload`): per-job-type JSON schemas plus semantic checks."""
