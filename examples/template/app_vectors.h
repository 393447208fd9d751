/* The exception and interrupt handlers of the template's vector table (startup.c). Define the
 * ones your application uses (same name, no attribute); the others stay default_handler. */
#ifndef APP_VECTORS_H
#define APP_VECTORS_H

int main(void);
void reset_handler(void);
void default_handler(void);
void nmi_handler(void);
void hardfault_handler(void);
void memmanage_handler(void);
void busfault_handler(void);
void usagefault_handler(void);
void svc_handler(void);
void pendsv_handler(void);
void systick_handler(void);
void usart1_handler(void);
void usart2_handler(void);
void usart3_handler(void);

#endif
