"""帮扶: measures, 小额信贷, the people who help, cadres' visits, projects and funds, 一户一档 and 明白卡."""
