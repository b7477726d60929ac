// SpoorIngest
