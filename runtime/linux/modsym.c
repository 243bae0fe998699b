// SPDX-License-Identifier: GPL-2.0
/* modsym.c - where a loaded module's symbols are, for the target variables of module
 * probes that live at fixed addresses (the module's globals and statics): the translator
 * names them by module and symbol (STP_MODULE_ADDR in loc.h), and this finds the address
 * the module was given when it was loaded, in its kallsyms. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include "../loc.h"

/* The kernel's list of modules has an unexported head, but every module is on it, this
 * one included: walking it from our own entry visits all the others and the head, the
 * one entry that is not inside a module (module structures live in the module area). */
static struct module *find_loaded(const char *name)
{
	struct list_head *pos;

	list_for_each_rcu(pos, &THIS_MODULE->list) {
		struct module *mod;

		if ((unsigned long)pos < MODULES_VADDR || (unsigned long)pos >= MODULES_END)
			continue;
		mod = list_entry(pos, struct module, list);
		if (mod->state != MODULE_STATE_UNFORMED && !strcmp(mod->name, name))
			return mod;
	}
	return NULL;
}

unsigned long stp_module_symbol(const char *module, const char *symbol)
{
	struct mod_kallsyms *ks;
	struct module *mod;
	unsigned long addr = 0;
	unsigned int i;

	/* RCU-sched, as the kernel's own lookups: the list and the symbols stay meanwhile. */
	rcu_read_lock_sched();
	mod = find_loaded(module);
	ks = mod ? rcu_dereference_sched(mod->kallsyms) : NULL;
	for (i = 1; ks && i < ks->num_symtab; i++) {
		const Elf_Sym *sym = &ks->symtab[i];

		if (sym->st_shndx != SHN_UNDEF && !strcmp(ks->strtab + sym->st_name, symbol)) {
			addr = sym->st_value;
			break;
		}
	}
	rcu_read_unlock_sched();
	return addr;
}
