// SpoorAnalytics
