"""CI: the job matrix, the verdict of all jobs, the rules workflows follow."""
