"""考核评估: 三率一度 and 巩固成果后评估 as a statistical survey, and 随机抽查 of records."""
