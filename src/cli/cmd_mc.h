/*
 * cmd_mc.h - the Monte Carlo commands (cmd_mc.c).
 */
#ifndef OC_CMD_MC_H
#define OC_CMD_MC_H

#include <stdio.h>

int cmd_mc(int argc, char **argv);
int cmd_sensitivity(int argc, char **argv);
void help_mc(FILE *fp);
void help_sensitivity(FILE *fp);

#endif
