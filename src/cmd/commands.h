/* Subcommands: one file each (cmd_*.c), listed in main.c's table. */
#ifndef KG_COMMANDS_H
#define KG_COMMANDS_H

int cmd_build(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_api_resources(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_mirror(int argc, char **argv);
int cmd_plugins(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_controller(int argc, char **argv);

#endif
